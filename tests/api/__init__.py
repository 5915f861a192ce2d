"""The REST API: reads, writes, the timeline, cursors, the schema, filters, permissions, throttling."""
