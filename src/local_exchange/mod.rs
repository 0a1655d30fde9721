//! A local exchange that verifies requests exactly as the real exchanges do (placeholder).
