-- hit_score_insights: one row per warehouse row, i.e. per (album_id, track_id),
-- with the hit score and every input it is built from.
--
--   hit_score    = 0.4 * track_popularity + 0.3 * artist_popularity
--                + 0.2 * album_popularity + 0.1 * duration_fit
--   duration_fit = (1 - |duration_sec - 180| / 180) * 100, clamped to [0, 100]
--
-- Change from the original formula: duration_fit was not clamped, so past
-- 6 minutes (360 s) it went negative without bound (a 12-minute track scored
-- -300 on it) and long tracks lost up to 30+ hit-score points for length alone.
-- It is now clamped to [0, 100]: every track of 6 minutes or more gets 0.
--
-- Unmatched rows are kept but not scored: hit_score is computed only when
-- the row is fully matched (track_matched and artist_matched are true and all
-- three popularities are known); is_scored says which rows qualify. Other
-- rows have hit_score NULL instead of a score built from missing parts, so
-- averages over hit_score only ever see complete scores.
--
-- Missing values that the dashboard groups by are labelled here, once, for every
-- view and dataset that reads this one: a NULL genre (an artist without a
-- genre_0, or an unmatched artist) is 'unknown', so a genre filter can select
-- those rows and no chart shows both a blank and an 'unknown' group. The
-- warehouse keeps the NULL: it is the fact, this is its label.
-- duration_band puts duration_sec into minute bands whose labels sort in
-- duration order ('unknown' last); explicit_label names the explicit flag.
-- Both are cast to VARCHAR, or Trino types them varchar(n) after the longest
-- literal, not the declared varchar.
WITH prepared AS (
    SELECT
        track_id,
        track_name,
        album_id,
        album_name,
        album_type,
        artist_id,
        artist_name,
        release_year,
        release_date,
        explicit,
        track_popularity,
        artist_popularity,
        album_popularity,
        duration_sec,
        track_matched,
        artist_matched,
        cast(
            CASE explicit
                WHEN TRUE THEN 'explicit'
                WHEN FALSE THEN 'clean'
                ELSE 'unknown'
            END AS VARCHAR
        ) AS explicit_label,
        cast(
            CASE
                WHEN duration_sec IS NULL THEN 'unknown'
                WHEN duration_sec < 120 THEN '0-2 min'
                WHEN duration_sec < 180 THEN '2-3 min'
                WHEN duration_sec < 240 THEN '3-4 min'
                WHEN duration_sec < 300 THEN '4-5 min'
                WHEN duration_sec < 360 THEN '5-6 min'
                ELSE '6+ min'
            END AS VARCHAR
        ) AS duration_band,
        coalesce(genre, 'unknown') AS genre,
        greatest(
            0.0,
            least(100.0, (1.0 - abs(duration_sec - 180.0) / 180.0) * 100.0)
        ) AS duration_fit,
        coalesce(
            track_matched
            AND artist_matched
            AND track_popularity IS NOT NULL
            AND artist_popularity IS NOT NULL
            AND album_popularity IS NOT NULL,
            FALSE
        ) AS is_scored
    FROM tracks
)

SELECT
    track_id,
    track_name,
    album_id,
    album_name,
    album_type,
    artist_id,
    artist_name,
    genre,
    release_year,
    release_date,
    explicit,
    explicit_label,
    track_popularity,
    artist_popularity,
    album_popularity,
    duration_sec,
    duration_band,
    duration_fit,
    track_matched,
    artist_matched,
    is_scored,
    CASE
        WHEN is_scored
            THEN
                0.4 * cast(track_popularity AS DOUBLE)
                + 0.3 * cast(artist_popularity AS DOUBLE)
                + 0.2 * cast(album_popularity AS DOUBLE)
                + 0.1 * duration_fit
    END AS hit_score
FROM prepared
