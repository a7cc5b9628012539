"""Text pipeline: from a news report to the events it reports (issue 9)."""
