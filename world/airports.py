"""The network's airports: real IATA codes, names, cities, countries, time zones and positions.

Static data, the same for every seed, so flight numbers and timetables stay stable."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class AirportSpec:
    code: str
    name: str
    city: str
    country: str
    timezone: str
    latitude: float
    longitude: float


HUBS: tuple[str, ...] = ("ZRH", "GVA", "BSL")

# BSL (EuroAirport) lies on French soil but serves Basel; it is listed under the city it serves.
AIRPORTS: tuple[AirportSpec, ...] = (
    AirportSpec("ZRH", "Zurich Airport", "Zurich", "Switzerland", "Europe/Zurich", 47.4647, 8.5492),
    AirportSpec("GVA", "Geneva Airport", "Geneva", "Switzerland", "Europe/Zurich", 46.2381, 6.1090),
    AirportSpec(
        "BSL",
        "EuroAirport Basel Mulhouse Freiburg",
        "Basel",
        "Switzerland",
        "Europe/Zurich",
        47.5896,
        7.5299,
    ),
    AirportSpec(
        "LHR",
        "London Heathrow Airport",
        "London",
        "United Kingdom",
        "Europe/London",
        51.4700,
        -0.4543,
    ),
    AirportSpec(
        "CDG",
        "Paris Charles de Gaulle Airport",
        "Paris",
        "France",
        "Europe/Paris",
        49.0097,
        2.5479,
    ),
    AirportSpec(
        "FRA", "Frankfurt Airport", "Frankfurt", "Germany", "Europe/Berlin", 50.0379, 8.5622
    ),
    AirportSpec(
        "AMS",
        "Amsterdam Airport Schiphol",
        "Amsterdam",
        "Netherlands",
        "Europe/Amsterdam",
        52.3105,
        4.7683,
    ),
    AirportSpec(
        "BCN",
        "Josep Tarradellas Barcelona-El Prat Airport",
        "Barcelona",
        "Spain",
        "Europe/Madrid",
        41.2974,
        2.0833,
    ),
    AirportSpec(
        "FCO",
        "Leonardo da Vinci-Fiumicino Airport",
        "Rome",
        "Italy",
        "Europe/Rome",
        41.8003,
        12.2389,
    ),
    AirportSpec(
        "VIE",
        "Vienna International Airport",
        "Vienna",
        "Austria",
        "Europe/Vienna",
        48.1103,
        16.5697,
    ),
    AirportSpec("MUC", "Munich Airport", "Munich", "Germany", "Europe/Berlin", 48.3538, 11.7861),
    AirportSpec(
        "MAD",
        "Adolfo Suárez Madrid-Barajas Airport",
        "Madrid",
        "Spain",
        "Europe/Madrid",
        40.4983,
        -3.5676,
    ),
    AirportSpec(
        "LIS",
        "Humberto Delgado Airport",
        "Lisbon",
        "Portugal",
        "Europe/Lisbon",
        38.7756,
        -9.1354,
    ),
    AirportSpec(
        "CPH",
        "Copenhagen Airport",
        "Copenhagen",
        "Denmark",
        "Europe/Copenhagen",
        55.6180,
        12.6508,
    ),
    AirportSpec(
        "ARN",
        "Stockholm Arlanda Airport",
        "Stockholm",
        "Sweden",
        "Europe/Stockholm",
        59.6498,
        17.9238,
    ),
    AirportSpec(
        "OSL", "Oslo Airport Gardermoen", "Oslo", "Norway", "Europe/Oslo", 60.1976, 11.1004
    ),
    AirportSpec("DUB", "Dublin Airport", "Dublin", "Ireland", "Europe/Dublin", 53.4264, -6.2499),
    AirportSpec(
        "BRU", "Brussels Airport", "Brussels", "Belgium", "Europe/Brussels", 50.9014, 4.4844
    ),
    AirportSpec(
        "PRG",
        "Václav Havel Airport Prague",
        "Prague",
        "Czechia",
        "Europe/Prague",
        50.1008,
        14.2600,
    ),
    AirportSpec(
        "BUD",
        "Budapest Ferenc Liszt International Airport",
        "Budapest",
        "Hungary",
        "Europe/Budapest",
        47.4398,
        19.2618,
    ),
    AirportSpec(
        "WAW", "Warsaw Chopin Airport", "Warsaw", "Poland", "Europe/Warsaw", 52.1657, 20.9671
    ),
    AirportSpec(
        "ATH",
        "Athens International Airport Eleftherios Venizelos",
        "Athens",
        "Greece",
        "Europe/Athens",
        37.9364,
        23.9445,
    ),
    AirportSpec(
        "IST", "Istanbul Airport", "Istanbul", "Türkiye", "Europe/Istanbul", 41.2753, 28.7519
    ),
    AirportSpec(
        "NCE", "Nice Côte d'Azur Airport", "Nice", "France", "Europe/Paris", 43.6584, 7.2159
    ),
    AirportSpec("MXP", "Milan Malpensa Airport", "Milan", "Italy", "Europe/Rome", 45.6306, 8.7281),
    AirportSpec("HAM", "Hamburg Airport", "Hamburg", "Germany", "Europe/Berlin", 53.6304, 9.9882),
    AirportSpec(
        "BER",
        "Berlin Brandenburg Airport",
        "Berlin",
        "Germany",
        "Europe/Berlin",
        52.3667,
        13.5033,
    ),
    AirportSpec(
        "EDI",
        "Edinburgh Airport",
        "Edinburgh",
        "United Kingdom",
        "Europe/London",
        55.9500,
        -3.3725,
    ),
    AirportSpec(
        "MAN",
        "Manchester Airport",
        "Manchester",
        "United Kingdom",
        "Europe/London",
        53.3537,
        -2.2750,
    ),
    AirportSpec(
        "PMI",
        "Palma de Mallorca Airport",
        "Palma de Mallorca",
        "Spain",
        "Europe/Madrid",
        39.5517,
        2.7388,
    ),
    AirportSpec(
        "JFK",
        "John F. Kennedy International Airport",
        "New York",
        "United States",
        "America/New_York",
        40.6413,
        -73.7781,
    ),
    AirportSpec(
        "BOS",
        "Boston Logan International Airport",
        "Boston",
        "United States",
        "America/New_York",
        42.3656,
        -71.0096,
    ),
    AirportSpec(
        "ORD",
        "Chicago O'Hare International Airport",
        "Chicago",
        "United States",
        "America/Chicago",
        41.9742,
        -87.9073,
    ),
    AirportSpec(
        "DXB",
        "Dubai International Airport",
        "Dubai",
        "United Arab Emirates",
        "Asia/Dubai",
        25.2532,
        55.3657,
    ),
    AirportSpec(
        "SIN",
        "Singapore Changi Airport",
        "Singapore",
        "Singapore",
        "Asia/Singapore",
        1.3644,
        103.9915,
    ),
)

AIRPORTS_BY_CODE: dict[str, AirportSpec] = {a.code: a for a in AIRPORTS}
EARTH_RADIUS_KM = 6371.0


def distance_km(origin: str, destination: str) -> float:
    """Great-circle (haversine) distance between two airports."""
    a, b = AIRPORTS_BY_CODE[origin], AIRPORTS_BY_CODE[destination]
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def airport_rows() -> list[tuple[str, str, str, str, str, float, float]]:
    return [
        (a.code, a.name, a.city, a.country, a.timezone, a.latitude, a.longitude) for a in AIRPORTS
    ]
