//! Diagnosing rejected requests (placeholder).
