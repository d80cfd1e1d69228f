"""MioConnect device cloud: inbound webhooks (verification, parsing) and the REST client."""
