-- genre_ranked_hits: the scored rows of hit_score_insights ranked within their
-- genre, with the genre's average hit score and a numbering of repeated track
-- names.
--
-- Rows: only fully matched rows (is_scored); unscored rows have no hit score
-- to rank. A missing genre arrives labelled 'unknown' from hit_score_insights.
--
-- Ranking and ties:
--   genre_rank      rank() by hit_score descending: equal scores share a rank
--                   (1, 1, 3), so it needs no tie-breaker to be deterministic.
--   genre_position  row_number() by hit_score descending, then track_id and
--                   album_id ascending: a unique 1..n position per genre.
--   name_instance   row_number() over the scored rows that share a
--                   track_name, in release order: release_date ascending,
--                   then track_id and album_id. 1 is the earliest release of
--                   that title in the warehouse, 2.. the later ones; NULL when
--                   track_name is NULL. It is not "the original": rows with
--                   one title can be different songs (another artist's song
--                   of the same name), the warehouse holds only the albums
--                   delivered, and a date known only to the year or month
--                   counts as its first day (release_date_precision), so
--                   such releases can tie on the date; the ids decide then.
--   name_occurrences  how many scored rows share the track_name.
--   artist_rank     row_number() within the artist by hit_score descending,
--                   then track_id and album_id: a leaderboard can keep each
--                   artist's best few rows (artist_rank <= n) so that one
--                   prolific artist does not fill it.
WITH scored AS (
    SELECT
        track_id,
        track_name,
        album_id,
        album_name,
        artist_id,
        artist_name,
        release_year,
        release_date,
        track_popularity,
        artist_popularity,
        album_popularity,
        duration_fit,
        hit_score,
        genre
    FROM hit_score_insights
    WHERE is_scored
)

SELECT
    track_id,
    track_name,
    album_id,
    album_name,
    artist_id,
    artist_name,
    genre,
    release_year,
    track_popularity,
    artist_popularity,
    album_popularity,
    duration_fit,
    hit_score,
    rank() OVER (
        PARTITION BY genre
        ORDER BY hit_score DESC
    ) AS genre_rank,
    row_number() OVER (
        PARTITION BY genre
        ORDER BY hit_score DESC, track_id ASC, album_id ASC
    ) AS genre_position,
    count(*) OVER (PARTITION BY genre) AS genre_track_count,
    avg(hit_score) OVER (PARTITION BY genre) AS genre_avg_hit_score,
    row_number() OVER (
        PARTITION BY artist_id
        ORDER BY hit_score DESC, track_id ASC, album_id ASC
    ) AS artist_rank,
    CASE
        WHEN track_name IS NOT NULL
            THEN row_number() OVER (
                PARTITION BY track_name
                ORDER BY release_date ASC, track_id ASC, album_id ASC
            )
    END AS name_instance,
    CASE
        WHEN track_name IS NOT NULL
            THEN count(*) OVER (PARTITION BY track_name)
    END AS name_occurrences
FROM scored
