// Chart.js, tree-shaken: only the pieces these line charts use are bundled and registered.
import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import { collapsePlugin } from './collapsePlugin';

let registered = false;

export function registerCharts(): typeof Chart {
  if (!registered) {
    Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Filler, Legend, Tooltip, collapsePlugin);
    registered = true;
  }
  return Chart;
}
