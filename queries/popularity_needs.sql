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
-- Types: the popularities are cast to DOUBLE before corr(): over two integers
-- Trino (Athena) resolves corr to its REAL overload and returns real, not the
-- declared double (DuckDB returns DOUBLE either way). The breakdown labels are
-- cast to VARCHAR, or Trino types the column varchar(5) after the literals.
WITH scored AS (
    SELECT
        cast(track_popularity AS DOUBLE) AS track_popularity,
        cast(artist_popularity AS DOUBLE) AS artist_popularity,
        cast(album_popularity AS DOUBLE) AS album_popularity,
        duration_sec,
        coalesce(genre, 'unknown') AS genre
    FROM hit_score_insights
    WHERE is_scored
),

scoped AS (
    SELECT
        cast('all' AS VARCHAR) AS breakdown,
        cast(NULL AS VARCHAR) AS genre,
        track_popularity,
        artist_popularity,
        album_popularity,
        duration_sec
    FROM scored
    UNION ALL
    SELECT
        cast('genre' AS VARCHAR) AS breakdown,
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
