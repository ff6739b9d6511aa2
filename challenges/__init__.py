"""Challenges: public problem statements, applications, assessment and awards (issue 17)."""
