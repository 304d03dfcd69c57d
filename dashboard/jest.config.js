/**
 * Unit tests of the dashboard's pure modules (configuration, routes, sign-in URLs, formats and
 * wording) and of its API client against a stand-in server; the pages are tested in a real browser
 * by `local-plant/test/plant.browser.test.ts`.
 * @type {import('jest').Config}
 */
module.exports = require('../jest.base');
