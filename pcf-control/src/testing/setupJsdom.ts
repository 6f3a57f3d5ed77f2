import '@testing-library/jest-dom';

/**
 * jsdom has no layout, so no ResizeObserver; Fluent's MessageBar observes its own width to choose a layout. One
 * that never reports a size keeps the bar in its default layout, as a narrow form section would.
 */
class NoLayoutResizeObserver implements ResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
if (typeof window !== 'undefined' && !('ResizeObserver' in window)) {
  Object.defineProperty(window, 'ResizeObserver', { value: NoLayoutResizeObserver, writable: true });
}
