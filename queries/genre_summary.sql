-- genre_summary: one row per genre for the dashboard.
--
-- genre is artists.genre_0; rows without one (including every row whose
-- artist did not match) arrive as 'unknown' from hit_score_insights.
-- track_count counts every warehouse row (album, track) of the genre;
-- scored_track_count counts the fully matched ones that have a hit score.
-- Each average is over the rows where its value is known (NULLs are skipped),
-- so avg_hit_score covers exactly the scored rows.
SELECT
    genre,
    count(*) AS track_count,
    count(hit_score) AS scored_track_count,
    avg(hit_score) AS avg_hit_score,
    max(hit_score) AS max_hit_score,
    avg(track_popularity) AS avg_track_popularity,
    avg(artist_popularity) AS avg_artist_popularity,
    avg(album_popularity) AS avg_album_popularity,
    avg(duration_sec) AS avg_duration_sec
FROM hit_score_insights
GROUP BY genre
