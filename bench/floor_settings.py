"""Settings for bench/submit.py's server only: the app's settings plus the floor view's URL.

Never used in production: the floor view (bench/floor_urls.py) writes rows without any
of the product's rules, to measure what the database and the web stack cost by themselves.
"""

from peakos.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
