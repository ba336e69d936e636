"""The hotel, car rental and excursion tools (the three kinds: services.travel.travel_kinds). Like
every tool in agent/tools.py, each is one service call under the service's own name, its
docstring what the model reads; the registry there binds them and their approval previews."""

from __future__ import annotations

from typing import Any

from agent.tool_args import (
    BookingId,
    Card,
    Day,
    Env,
    ExcursionId,
    Guests,
    HotelId,
    OfferId,
    Participants,
    RentalId,
)
from services.travel import cars, excursions, hotels


# ---- searches: read tools whose results the booking's approval card quotes from ------------
def search_hotels(env: Env, city: str, checkin: Day, checkout: Day, guests: Guests = 1) -> Any:
    """Hotels in a city with a free room for every night of the stay, cheapest first, with
    hotel_id, stars, price per night and total."""
    return hotels.search_hotels(
        env.session, env.ctx, city=city, checkin=checkin, checkout=checkout, guests=guests
    )


def search_car_rentals(env: Env, city: str, start: Day, end: Day) -> Any:
    """Car rental offers in a city with a car free from pick-up (start) to return (end),
    cheapest first, with offer_id, company, car, price per day and total."""
    return cars.search_car_rentals(env.session, env.ctx, city=city, start=start, end=end)


def search_excursions(
    env: Env,
    city: str,
    day: Day | None = None,
    participants: Participants = 1,
) -> Any:
    """Excursions in a city, cheapest first, with excursion_id and price per participant;
    with a day, only those with enough free spots that day."""
    return excursions.search_excursions(
        env.session, env.ctx, city=city, day=day, participants=participants
    )


# ---- writes: each waits for the support agent's approval, then runs exactly once ------
def book_hotel(
    env: Env,
    hotel_id: HotelId,
    checkin: Day,
    checkout: Day,
    guests: Guests = 1,
    payment_method_id: Card = None,
) -> Any:
    """Book a hotel room (hotel_id from search_hotels) and charge it to a card on file.
    Needs approval."""
    return hotels.book_hotel(
        env.session,
        env.ctx,
        hotel_id=hotel_id,
        checkin=checkin,
        checkout=checkout,
        guests=guests,
        payment_method_id=payment_method_id,
    )


def change_hotel_booking(
    env: Env,
    booking_id: BookingId,
    checkin: Day,
    checkout: Day,
) -> Any:
    """Move a hotel booking to new dates before check-in; the price difference is charged or
    refunded. Needs approval."""
    return hotels.change_hotel_booking(
        env.session, env.ctx, booking_id=booking_id, checkin=checkin, checkout=checkout
    )


def cancel_hotel_booking(env: Env, booking_id: BookingId) -> Any:
    """Cancel a hotel booking (free until 24 hours before check-in), refunding it in full.
    Needs approval."""
    return hotels.cancel_hotel_booking(env.session, env.ctx, booking_id=booking_id)


def book_car_rental(
    env: Env,
    offer_id: OfferId,
    start: Day,
    end: Day,
    payment_method_id: Card = None,
) -> Any:
    """Rent a car (offer_id from search_car_rentals) from start to end, charged to a card on
    file. Needs approval."""
    return cars.book_car_rental(
        env.session,
        env.ctx,
        offer_id=offer_id,
        start=start,
        end=end,
        payment_method_id=payment_method_id,
    )


def change_car_rental(
    env: Env,
    rental_id: RentalId,
    start: Day,
    end: Day,
) -> Any:
    """Move a car rental to new dates before pick-up; the price difference is charged or
    refunded. Needs approval."""
    return cars.change_car_rental(env.session, env.ctx, rental_id=rental_id, start=start, end=end)


def cancel_car_rental(env: Env, rental_id: RentalId) -> Any:
    """Cancel a car rental (free until 24 hours before pick-up), refunding it in full.
    Needs approval."""
    return cars.cancel_car_rental(env.session, env.ctx, rental_id=rental_id)


def book_excursion(
    env: Env,
    excursion_id: ExcursionId,
    day: Day,
    participants: Participants = 1,
    payment_method_id: Card = None,
) -> Any:
    """Book an excursion (excursion_id from search_excursions) on a day for a number of
    participants, charged to a card on file. Needs approval."""
    return excursions.book_excursion(
        env.session,
        env.ctx,
        excursion_id=excursion_id,
        day=day,
        participants=participants,
        payment_method_id=payment_method_id,
    )


def cancel_excursion(env: Env, booking_id: BookingId) -> Any:
    """Cancel an excursion booking (free until 24 hours before it starts), refunding it in
    full. Needs approval."""
    return excursions.cancel_excursion(env.session, env.ctx, booking_id=booking_id)
