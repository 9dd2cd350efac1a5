"""Appointments of the certificate accreditation office (seed 000)."""
