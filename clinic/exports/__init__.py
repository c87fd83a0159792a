"""Record exports (CSV, JSON, FHIR): row generators and serializers shared by web, API and CLI."""
