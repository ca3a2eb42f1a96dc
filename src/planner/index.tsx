/** Entry point of /planner.js: mounts the planning page into #planner, with the map settings the page carries. */
import { render } from 'preact';
import { App } from './app.js';

const root = document.getElementById('planner');
if (root) {
  const tiles = root.dataset.tiles;
  render(
    <App
      map={{ tiles: tiles && tiles !== 'off' ? tiles : null, attribution: root.dataset.attribution ?? '' }}
    />,
    root,
  );
}
