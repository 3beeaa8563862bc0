from tests.cities.conftest import furnish, home_city, make_city, make_partnership  # noqa: F401
