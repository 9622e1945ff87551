"""The owner's picture of the shop and its future, from the same events: visitor profiles
and segments, funnels and cohorts, search analytics, trends, demand forecasts and stock
advice."""
