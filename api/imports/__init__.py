"""Imports from spreadsheets (CSV and XLSX): accounts, contacts, products, users and teams, opportunities."""
