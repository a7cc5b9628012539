"""syriamap."""
