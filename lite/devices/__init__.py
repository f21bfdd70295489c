"""Devices the sweep talks to: one interface (base.Device), several transports, facts, sync."""
