"""HubSpot CRM: the sync connector (companies, contacts, deals, owners) and company writeback."""
