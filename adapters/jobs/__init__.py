"""Job queues behind the application's `BackgroundJobs` port: APScheduler in-process (one machine,
SQLite, inside `serve`) and procrastinate on PostgreSQL (`tiktok-oms worker`, any number)."""
