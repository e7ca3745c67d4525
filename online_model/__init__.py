"""crimecast online_model package."""
