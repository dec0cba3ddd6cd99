"""TAXII 2.1: the server's collections and routes, our client, and federation with peers."""
