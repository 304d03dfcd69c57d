// The functions' Powertools metrics (one EMF line per invocation on standard output, which
// CloudWatch reads in Lambda) say nothing here: off, before any Metrics instance is made.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
