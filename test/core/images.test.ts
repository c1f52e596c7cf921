/**
 * Tests of constructs/core/images.ts: pinned images and Stackable image names.
 * Run: npx jest test/core
 */
import { IMAGES, STACKABLE_RELEASE, stackableImage } from '../../constructs/core';

describe('images', () => {
  it.each(Object.entries(IMAGES))('%s is pinned to a tag other than latest', (_, image) => {
    expect(image).toMatch(/^[a-z0-9.-]+\/[a-z0-9._/-]+:[A-Za-z0-9._-]+$/);
    expect(image).not.toMatch(/:latest$/);
  });

  it('names Stackable product images by product version and release', () => {
    expect(STACKABLE_RELEASE).toBe('26.7.0');
    expect(stackableImage('superset', '6.1.0')).toBe('oci.stackable.tech/sdp/superset:6.1.0-stackable26.7.0');
  });
});
