-- popularity_trends: one row per release year (the warehouse partition key).
--
-- track_count counts every warehouse row (album, track) released that year;
-- scored_track_count counts the fully matched ones that have a hit score.
-- Each average is over the rows where its value is known (NULLs are skipped),
-- so avg_hit_score covers exactly the scored rows. explicit_share is the share
-- of rows with explicit = true among those where the flag is known; it averages
-- a DOUBLE, not a decimal literal: in Trino avg(decimal(2,1)) stays decimal(2,1).
SELECT
    release_year,
    count(*) AS track_count,
    count(hit_score) AS scored_track_count,
    avg(hit_score) AS avg_hit_score,
    avg(track_popularity) AS avg_track_popularity,
    avg(artist_popularity) AS avg_artist_popularity,
    avg(album_popularity) AS avg_album_popularity,
    avg(duration_sec) AS avg_duration_sec,
    avg(cast(explicit AS DOUBLE)) AS explicit_share
FROM hit_score_insights
GROUP BY release_year
