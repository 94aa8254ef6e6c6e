"""Printed forms (PDF) of gasdesk: plain-data contexts in, PDF bytes out. No Qt, no database."""
