"""Geofence verdicts, speed and time flags, navigation links and candidate scores, without a database."""

from datetime import UTC, date, datetime, timedelta

from api.visits import candidates, checkin, navigation

DOOR = (31.2304, 121.4737)
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def fix(lat, lon, accuracy, minutes=0):
    return checkin.Fix(lat, lon, accuracy, NOW + timedelta(minutes=minutes))


def test_the_geofence_verdict_takes_accuracy_into_account():
    assert checkin.judge(fix(31.2313, 121.4737, 15), DOOR, 200).status == "verified"  # 100 m, sharp
    assert checkin.judge(fix(31.2327, 121.4737, 80), DOOR, 200).status == "verified"  # 256 m ± 80 m
    assert checkin.judge(fix(31.2340, 121.4737, 80), DOOR, 200).status == "out_of_range"  # 400 m ± 80 m
    assert checkin.judge(fix(31.2313, 121.4737, 350), DOOR, 200).status == "low_accuracy"  # 100 m ± 350 m
    assert checkin.judge(fix(31.3304, 121.4737, 5000), DOOR, 200).status == "out_of_range"  # 11 km ± 5 km
    assert checkin.judge(fix(31.2313, 121.4737, 15), None, 200) == checkin.Verdict("out_of_range", None)


def test_speed_and_time_flags():
    home = fix(*DOOR, 10)
    beijing = fix(39.9042, 116.4074, 10, minutes=60)
    flags, speed = checkin.flags(beijing, NOW + timedelta(minutes=61), [home])
    assert flags == ["impossible_speed"] and speed is not None and speed > 1000
    nearby = fix(31.2400, 121.4737, 10, minutes=10)  # ~1 km in ten minutes: a taxi
    assert checkin.flags(nearby, NOW + timedelta(minutes=11), [home]) == ([], 6.4)
    jitter = fix(31.2310, 121.4737, 50, minutes=0)  # the same place, same second: GPS noise, not a teleport
    assert checkin.flags(jitter, NOW, [home]) == ([], None)
    assert checkin.flags(fix(*DOOR, 10, minutes=30), NOW, [])[0] == ["future_time"]
    assert checkin.flags(fix(*DOOR, 10, minutes=-90), NOW, [])[0] == ["offline"]


def test_amap_links_carry_gcj02_and_the_others_wgs84():
    gcj_lat, gcj_lon = navigation.to_gcj02(*DOOR)
    # GCJ-02 shifts Shanghai by a few hundred metres to the south-east.
    assert -0.004 < gcj_lat - DOOR[0] < -0.001 and 0.003 < gcj_lon - DOOR[1] < 0.006
    links = navigation.links(*DOOR, "上海明珠, 制造", "drive")
    assert f"to={gcj_lon:.6f}%2C{gcj_lat:.6f}%2C" in links["amap"]
    assert "mode=car" in links["amap"]
    assert "destination=31.230400%2C121.473700" in links["google"] and "travelmode=driving" in links["google"]
    assert "daddr=31.230400%2C121.473700" in links["apple"] and "dirflg=d" in links["apple"]
    assert navigation.to_gcj02(48.8566, 2.3522) == (48.8566, 2.3522)  # outside China nothing moves


def test_candidate_scores_explain_themselves():
    today = date(2026, 12, 1)
    hot = candidates.Pipeline(
        weighted_minor=1_000_000_00, promised=date(2026, 12, 2), closes_this_month=1, competitors=("Zebra",)
    )
    points, reasons, codes = candidates.score(hot, today, None, 30.0)
    assert codes == ["pipeline_value", "promised_date", "closes_this_month", "never_visited", "competitor"]
    assert points == round(6 * 6.000004 + 30 + 15 + 15 + 10, 1)
    text = candidates.reason_text(reasons)
    assert text["en"].count(";") == 2 and "CNY 1,000,000 weighted pipeline" in text["en"]
    assert "加权商机金额" in text["zh"]
    assert candidates.score(candidates.Pipeline(), today, today - timedelta(days=3), 30.0)[0] == 0
    overdue = candidates.score(candidates.Pipeline(), today, today - timedelta(days=45), 30.0)
    assert overdue[0] == 15.0 and overdue[2] == ["overdue"]


def test_the_usual_cadence_is_the_median_gap():
    days = [date(2026, 9, 1), date(2026, 9, 15), date(2026, 10, 1), date(2026, 11, 1)]
    assert candidates.cadence_days(days) == 16.0
    assert candidates.cadence_days([date(2026, 9, 1)]) == candidates.DEFAULT_CADENCE_DAYS


def test_a_known_churn_risk_adds_to_the_score_with_its_reason():
    today = date(2026, 12, 1)
    recent = today - timedelta(days=3)
    assert candidates.score(candidates.Pipeline(), today, recent, 30.0, "high")[1:] == (
        [{"en": "churn risk high", "zh": "流失风险高"}],
        ["churn_risk"],
    )
    assert candidates.score(candidates.Pipeline(), today, recent, 30.0, "medium")[0] == 10.0
    assert candidates.score(candidates.Pipeline(), today, recent, 30.0, "low")[0] == 0


def test_visits_due_follow_the_usual_cadence_from_the_last_visit():
    monday, friday = date(2026, 12, 7), date(2026, 12, 11)
    every_other_day = candidates.Cadence(last_visit=date(2026, 12, 5), every_days=2.0)
    assert candidates.visits_due(every_other_day, monday, friday) == 3  # Monday, Wednesday, Friday
    just_seen = candidates.Cadence(last_visit=date(2026, 12, 6), every_days=2.0)
    assert candidates.visits_due(just_seen, monday, friday) == 2  # due Tuesday, then Thursday
    weekly = candidates.Cadence(last_visit=date(2026, 12, 1), every_days=7.0)
    assert candidates.visits_due(weekly, monday, friday) == 1
    assert candidates.visits_due(candidates.Cadence(), monday, friday) == 1  # never visited, monthly by default
    assert candidates.visits_due(None, monday, friday) == 1
    daily = candidates.Cadence(last_visit=date(2026, 12, 4), every_days=1.0)
    assert candidates.visits_due(daily, monday, friday) == 5
