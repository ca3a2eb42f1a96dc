/** Entry point of /planner.js: mounts the planning page into #planner. */
import { render } from 'preact';
import { App } from './app.js';

const root = document.getElementById('planner');
if (root) render(<App />, root);
