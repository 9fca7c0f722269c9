// Loaded lazily by the shell (the panel opens on demand): keep this entry to the panel alone.
export { FilesPanel } from './components/files-panel';
