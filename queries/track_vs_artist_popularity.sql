-- track_vs_artist_popularity: per warehouse row (album, track), the track's
-- popularity next to its primary artist's, for a scatter plot and for
-- "tracks that outperform their artist".
--
-- Only rows where both sides are known: track_matched and artist_matched are
-- true and both popularities are non-NULL. Comparing against a missing value
-- would only add noise, so unmatched rows are left out (hit_score_insights
-- still lists them). It reads hit_score_insights, so a missing genre is
-- labelled as in every other view.
SELECT
    track_id,
    track_name,
    album_id,
    artist_id,
    artist_name,
    release_year,
    track_popularity,
    artist_popularity,
    genre,
    track_popularity - artist_popularity AS popularity_gap,
    track_popularity > artist_popularity AS outperforms_artist
FROM hit_score_insights
WHERE
    track_matched
    AND artist_matched
    AND track_popularity IS NOT NULL
    AND artist_popularity IS NOT NULL
