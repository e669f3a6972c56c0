"""Database: engine, sessions, declarative base and the ORM models."""
