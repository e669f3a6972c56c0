// The Leaflet map of the day, loaded only when the Today screen shows it. Stops and the route are vector
// layers drawn by Leaflet itself, so they show whether or not the tiles underneath load.
import * as L from 'leaflet/dist/leaflet-src.esm.js';
import 'leaflet/dist/leaflet.css';
import { toGcj02 } from '../lib/geo.js';

export function drawMap(element, { stops, start, tiles, onTileError, labels = {} }) {
  const project = tiles.crs === 'gcj02' ? (lat, lon) => toGcj02(lat, lon) : (lat, lon) => [lat, lon];
  const map = L.map(element, { zoomControl: false, attributionControl: Boolean(tiles.url), tap: true });
  // The zoom buttons speak the user's language (Leaflet's own titles are English only).
  L.control.zoom({ zoomInTitle: labels.zoomIn || 'Zoom in', zoomOutTitle: labels.zoomOut || 'Zoom out' }).addTo(map);
  if (tiles.url) {
    const layer = L.tileLayer(tiles.url, { maxZoom: 19, attribution: tiles.attribution || '', crossOrigin: true });
    let reported = false;
    layer.on('tileerror', () => {
      if (!reported) onTileError?.();
      reported = true;
    });
    layer.addTo(map);
  }
  const route = [];
  if (start) {
    const at = project(start.lat, start.lon);
    L.circleMarker(at, { radius: 8, color: '#0b5cab', weight: 3, fillColor: '#ffffff', fillOpacity: 1, className: 'start-marker', interactive: false })
      .addTo(map);
    route.push(at);
  }
  stops.forEach((stop, i) => {
    if (stop.lat === null || stop.lat === undefined) return;
    const at = project(stop.lat, stop.lon);
    const icon = L.divIcon({
      className: `stop-marker stop-${stop.status}`,
      html: `<span>${i + 1}</span>`,
      iconSize: [32, 32],
      iconAnchor: [16, 16],
    });
    // Markers only show where: the list below the map is the accessible, tappable version of the same stops.
    L.marker(at, { icon, interactive: false, keyboard: false }).addTo(map);
    route.push(at);
  });
  if (start && route.length > 1) route.push(project(start.lat, start.lon)); // back where the day began
  if (route.length > 1) {
    L.polyline(route, { color: '#0b5cab', weight: 4, opacity: 0.85, className: 'route-line', interactive: false }).addTo(map);
  }
  const frame = () => {
    map.invalidateSize();
    if (route.length) map.fitBounds(L.latLngBounds(route).pad(0.2), { maxZoom: 15 });
    else map.setView([31.2304, 121.4737], 11);
  };
  frame();
  // The container may still be settling (fonts, the cards below); draw again once it has its final size.
  const watch = new ResizeObserver(() => map.invalidateSize());
  watch.observe(element);
  requestAnimationFrame(frame);
  map.on('unload', () => watch.disconnect());
  return map;
}
