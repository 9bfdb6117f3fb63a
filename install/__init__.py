"""Install-time steps that `make install` runs (never imported by the app at run time)."""
