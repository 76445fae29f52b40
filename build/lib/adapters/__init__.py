"""Platform adapters (Slack, Discord): thin layers over the core's Query → Reply."""
