"""Resource groups: one module per API group, each turning method calls into APIRequests."""
