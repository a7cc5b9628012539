"""The text pipeline: from a news report to mapped events (documents, sentences, mentions, dates, tolls...)."""
