-- popularity_needs (named query, not a view): what track popularity moves
-- with. Pearson correlations (corr) of track_popularity with
-- artist_popularity, album_popularity and duration_sec.
--
-- One row for all scored rows (breakdown 'all', genre NULL), then one row per
-- genre (breakdown 'genre', NULL genre labelled 'unknown'), in that order.
-- Rows: only fully matched rows (is_scored in hit_score_insights), so every
-- correlation of a row is computed over the same sample (sample_size).
-- A correlation is NULL when it is undefined: fewer than two rows or a side
-- with zero variance. Engines disagree there (NaN or NULL), so the guard
-- makes the answer explicit and the same in Athena and locally.
WITH scored AS (
    SELECT
        track_popularity,
        artist_popularity,
        album_popularity,
        duration_sec,
        coalesce(genre, 'unknown') AS genre
    FROM hit_score_insights
    WHERE is_scored
),

scoped AS (
    SELECT
        'all' AS breakdown,
        cast(NULL AS VARCHAR) AS genre,
        track_popularity,
        artist_popularity,
        album_popularity,
        duration_sec
    FROM scored
    UNION ALL
    SELECT
        'genre' AS breakdown,
        genre,
        track_popularity,
        artist_popularity,
        album_popularity,
        duration_sec
    FROM scored
)

SELECT
    breakdown,
    genre,
    count(*) AS sample_size,
    CASE
        WHEN var_pop(track_popularity) > 0 AND var_pop(artist_popularity) > 0
            THEN corr(track_popularity, artist_popularity)
    END AS corr_track_artist_popularity,
    CASE
        WHEN var_pop(track_popularity) > 0 AND var_pop(album_popularity) > 0
            THEN corr(track_popularity, album_popularity)
    END AS corr_track_album_popularity,
    CASE
        WHEN var_pop(track_popularity) > 0 AND var_pop(duration_sec) > 0
            THEN corr(track_popularity, duration_sec)
    END AS corr_track_duration
FROM scoped
GROUP BY breakdown, genre
ORDER BY breakdown ASC, genre ASC NULLS FIRST
