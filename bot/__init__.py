"""crimecast bot package."""
