"""Statistics computed from results: Wilson intervals, words of estimative probability."""
