"""CRM writeback: health score, band, churn risk, top driver and scored-at, pushed to the CRMs."""
