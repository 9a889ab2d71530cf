package io.streampipeline.window;

import java.util.Arrays;

/**
 * A binary min-heap of sessions by {@code queuedLast}. A session is queued once with the {@code last} it had
 * then; extending it later does not touch the heap. When the head looks expired the caller checks the real
 * {@code last} and re-queues it if it moved on, so finding expired sessions costs O(log n) per session
 * instead of a scan of all of them.
 */
final class ExpiryQueue {
  private Session[] heap = new Session[64];
  private int size;

  int size() {
    return size;
  }

  Session peek() {
    return size == 0 ? null : heap[0];
  }

  void push(Session s) {
    s.queuedLast = s.last;
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent].queuedLast <= s.queuedLast) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = s;
  }

  Session poll() {
    Session top = heap[0];
    Session last = heap[--size];
    heap[size] = null;
    if (size > 0) {
      int i = 0;
      while (true) {
        int child = 2 * i + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && heap[child + 1].queuedLast < heap[child].queuedLast) {
          child++;
        }
        if (heap[child].queuedLast >= last.queuedLast) {
          break;
        }
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
