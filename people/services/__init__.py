"""What changes people's skills, profiles and the sites' assignment modes."""
