"""crimecast stream package."""
