/* being written */
typedef int rb_placeholder_mp;
