// Leaflet for the map editors. Leaflet-Geoman (the drawing plugin) extends the global `L`, so this module sets it
// before any module that imports the plugin runs (imports evaluate in order: import this one first).
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

(window as unknown as { L: typeof L }).L = L;

export default L;
