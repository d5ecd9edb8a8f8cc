-- popularity_needs: what track popularity moves with, one row per factor,
-- over every genre (breakdown 'all', genre NULL) and per genre (breakdown
-- 'genre'): the Pearson correlation (corr) of track_popularity with artist
-- popularity, album popularity, duration and the explicit flag (as 0/1).
--
-- Long, not wide: one row per (breakdown, genre, factor) is what a bar chart
-- of correlations needs (the factor is the bar), so it is a view that a
-- QuickSight dataset reads, not a named query that only a person runs.
-- Rows: only fully matched rows (is_scored in hit_score_insights).
-- sample_size counts the rows with the factor known, which are the rows the
-- correlation is computed over (corr skips pairs with a NULL).
-- A correlation is NULL when it is undefined: fewer than two rows or a side
-- with zero variance. Engines disagree there (NaN or NULL), so the guard
-- makes the answer explicit and the same in Athena and locally.
-- Types: the popularities are cast to DOUBLE before corr(): over two integers
-- Trino (Athena) resolves corr to its REAL overload and returns real, not the
-- declared double. The labels are cast to VARCHAR, or Trino types each column
-- varchar(n) after its longest literal.
WITH scored AS (
    SELECT
        genre,
        cast(track_popularity AS DOUBLE) AS track_popularity,
        cast(artist_popularity AS DOUBLE) AS artist_popularity,
        cast(album_popularity AS DOUBLE) AS album_popularity,
        duration_sec,
        cast(explicit AS DOUBLE) AS explicit_flag
    FROM hit_score_insights
    WHERE is_scored
),

factors AS (
    SELECT
        genre,
        track_popularity,
        cast('artist popularity' AS VARCHAR) AS factor,
        artist_popularity AS factor_value
    FROM scored
    UNION ALL
    SELECT
        genre,
        track_popularity,
        cast('album popularity' AS VARCHAR) AS factor,
        album_popularity AS factor_value
    FROM scored
    UNION ALL
    SELECT
        genre,
        track_popularity,
        cast('duration' AS VARCHAR) AS factor,
        duration_sec AS factor_value
    FROM scored
    UNION ALL
    SELECT
        genre,
        track_popularity,
        cast('explicit' AS VARCHAR) AS factor,
        explicit_flag AS factor_value
    FROM scored
),

scoped AS (
    SELECT
        cast('all' AS VARCHAR) AS breakdown,
        cast(NULL AS VARCHAR) AS genre,
        factor,
        track_popularity,
        factor_value
    FROM factors
    UNION ALL
    SELECT
        cast('genre' AS VARCHAR) AS breakdown,
        genre,
        factor,
        track_popularity,
        factor_value
    FROM factors
)

SELECT
    breakdown,
    genre,
    factor,
    count(factor_value) AS sample_size,
    CASE
        WHEN
            var_pop(
                CASE WHEN factor_value IS NOT NULL THEN track_popularity END
            ) > 0
            AND var_pop(factor_value) > 0
            THEN corr(track_popularity, factor_value)
    END AS correlation
FROM scoped
GROUP BY breakdown, genre, factor
