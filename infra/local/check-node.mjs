// Fails fast when a script runs on the machine's Node instead of the project's pinned Node 22
// (it happens with `npm ci --ignore-scripts` or when tools run outside `npm run`).
const major = process.versions.node.split('.')[0];
if (major !== '22') {
  console.error(
    `Quittance needs Node 22 (the Lambda runtime, nodejs22.x); this is Node ${process.versions.node}.\n` +
      'Run it through npm (npm start, npm test), which puts the pinned node from node_modules/.bin first on PATH;\n' +
      'if that is Node 20, reinstall with install scripts enabled: npm ci',
  );
  process.exit(1);
}
