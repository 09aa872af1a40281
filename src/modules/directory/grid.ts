/**
 * British National Grid (OSGB36 eastings and northings, as in the shipped postcode centroids) to
 * WGS84 latitude and longitude, for the published Open Referral feed: the Ordnance Survey's inverse
 * transverse Mercator projection on the Airy 1830 ellipsoid, then a seven-parameter Helmert
 * transformation from OSGB36 to WGS84 (good to about five metres, plenty for a service's location).
 * Distances within Hearth use the grid itself (straight-line metres between centroids).
 */

const AIRY = { a: 6_377_563.396, b: 6_356_256.909 };
const WGS84 = { a: 6_378_137, b: 6_356_752.314_245 };
const F0 = 0.999_601_271_7;
const LAT0 = (49 * Math.PI) / 180;
const LON0 = (-2 * Math.PI) / 180;
const N0 = -100_000;
const E0 = 400_000;

/** OSGB36 to WGS84 (metres, parts per million, arc-seconds). */
const HELMERT = { tx: 446.448, ty: -125.157, tz: 542.06, s: -20.4894, rx: 0.1502, ry: 0.247, rz: 0.8421 };

function meridionalArc(b: number, n: number, lat: number): number {
  const dl = lat - LAT0;
  const sl = lat + LAT0;
  return (
    b *
    F0 *
    ((1 + n + (5 / 4) * n ** 2 + (5 / 4) * n ** 3) * dl -
      (3 * n + 3 * n ** 2 + (21 / 8) * n ** 3) * Math.sin(dl) * Math.cos(sl) +
      ((15 / 8) * n ** 2 + (15 / 8) * n ** 3) * Math.sin(2 * dl) * Math.cos(2 * sl) -
      (35 / 24) * n ** 3 * Math.sin(3 * dl) * Math.cos(3 * sl))
  );
}

/** OSGB36 latitude and longitude (radians) of a grid reference. */
function gridToOsgb36(easting: number, northing: number): { lat: number; lon: number } {
  const { a, b } = AIRY;
  const e2 = 1 - (b * b) / (a * a);
  const n = (a - b) / (a + b);
  let lat = LAT0;
  let m = 0;
  do {
    lat = (northing - N0 - m) / (a * F0) + lat;
    m = meridionalArc(b, n, lat);
  } while (Math.abs(northing - N0 - m) >= 0.000_01);
  const sin = Math.sin(lat);
  const cos = Math.cos(lat);
  const nu = (a * F0) / Math.sqrt(1 - e2 * sin * sin);
  const rho = (a * F0 * (1 - e2)) / (1 - e2 * sin * sin) ** 1.5;
  const eta2 = nu / rho - 1;
  const tan = Math.tan(lat);
  const sec = 1 / cos;
  const vii = tan / (2 * rho * nu);
  const viii = (tan / (24 * rho * nu ** 3)) * (5 + 3 * tan ** 2 + eta2 - 9 * tan ** 2 * eta2);
  const ix = (tan / (720 * rho * nu ** 5)) * (61 + 90 * tan ** 2 + 45 * tan ** 4);
  const x = sec / nu;
  const xi = (sec / (6 * nu ** 3)) * (nu / rho + 2 * tan ** 2);
  const xii = (sec / (120 * nu ** 5)) * (5 + 28 * tan ** 2 + 24 * tan ** 4);
  const xiia = (sec / (5040 * nu ** 7)) * (61 + 662 * tan ** 2 + 1320 * tan ** 4 + 720 * tan ** 6);
  const de = easting - E0;
  return {
    lat: lat - vii * de ** 2 + viii * de ** 4 - ix * de ** 6,
    lon: LON0 + x * de - xi * de ** 3 + xii * de ** 5 - xiia * de ** 7,
  };
}

function toCartesian(lat: number, lon: number, ellipsoid: { a: number; b: number }) {
  const e2 = 1 - (ellipsoid.b * ellipsoid.b) / (ellipsoid.a * ellipsoid.a);
  const nu = ellipsoid.a / Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
  return {
    x: nu * Math.cos(lat) * Math.cos(lon),
    y: nu * Math.cos(lat) * Math.sin(lon),
    z: (1 - e2) * nu * Math.sin(lat),
  };
}

function fromCartesian(p: { x: number; y: number; z: number }, ellipsoid: { a: number; b: number }) {
  const e2 = 1 - (ellipsoid.b * ellipsoid.b) / (ellipsoid.a * ellipsoid.a);
  const r = Math.hypot(p.x, p.y);
  let lat = Math.atan2(p.z, r * (1 - e2));
  for (let i = 0; i < 10; i += 1) {
    const nu = ellipsoid.a / Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
    lat = Math.atan2(p.z + e2 * nu * Math.sin(lat), r);
  }
  return { lat, lon: Math.atan2(p.y, p.x) };
}

/** OSGB36 latitude and longitude in degrees (for checking against the Ordnance Survey's worked example). */
export function gridToOsgb36Degrees(
  easting: number,
  northing: number,
): { latitude: number; longitude: number } {
  const { lat, lon } = gridToOsgb36(easting, northing);
  return { latitude: (lat * 180) / Math.PI, longitude: (lon * 180) / Math.PI };
}

/** WGS84 latitude and longitude (degrees, six decimal places) of a British National Grid reference. */
export function gridToLatLong(easting: number, northing: number): { latitude: number; longitude: number } {
  const osgb = gridToOsgb36(easting, northing);
  const p = toCartesian(osgb.lat, osgb.lon, AIRY);
  const arc = Math.PI / (180 * 3600);
  const s = 1 + HELMERT.s / 1e6;
  const rx = HELMERT.rx * arc;
  const ry = HELMERT.ry * arc;
  const rz = HELMERT.rz * arc;
  const moved = {
    x: HELMERT.tx + s * p.x - rz * p.y + ry * p.z,
    y: HELMERT.ty + rz * p.x + s * p.y - rx * p.z,
    z: HELMERT.tz - ry * p.x + rx * p.y + s * p.z,
  };
  const wgs = fromCartesian(moved, WGS84);
  const round = (radians: number) => Math.round(((radians * 180) / Math.PI) * 1e6) / 1e6;
  return { latitude: round(wgs.lat), longitude: round(wgs.lon) };
}

/** "sg11lq" → "SG1 1LQ"; undefined when it is not shaped like a UK postcode. */
export function normalisePostcode(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/.test(compact)) return undefined;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}
