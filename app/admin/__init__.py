"""Admin pages about the desk's machinery (queues, workers, the scheduler)."""
