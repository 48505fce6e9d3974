"""Simplified Chinese: every English template of the helpers and its translation.

Sections follow the modules; a chapter's spec and widget engine have a section each.
"""

MESSAGES = {
    # helpers/checking.py: what an answer is, and what is wrong with it
    "your answer": "你的答案",
    "the input": "输入",
    "a tensor of shape {shape} and dtype {dtype}": "一个形状为 {shape}、dtype 为 {dtype} 的张量",
    "a {layout} tensor of shape {shape} and dtype {dtype}": "一个形状为 {shape}、dtype 为 {dtype} 的 {layout} 张量",
    " on the meta device": "（在 meta 设备上）",
    "a NumPy array of shape {shape} and dtype {dtype}": "一个形状为 {shape}、dtype 为 {dtype} 的 NumPy 数组",
    "an int with {digits} digits": "一个 {digits} 位的整数",
    "the {kind} {value}": "{kind} 类型的值 {value}",
    "the class {name}": "类 {name}",
    "a module of type {kind}": "一个 {kind} 类型的模块",
    "a {kind} of length {length}": "一个长度为 {length} 的 {kind}",
    "the function {name}": "函数 {name}",
    "an object of type {kind}": "一个 {kind} 类型的对象",
    "an object that cannot be described": "一个无法描述的对象",
    "a number with {digits} digits": "一个 {digits} 位的数",
    "{what}: expected a single number, got {got}": "{what}：应当是一个数，得到的是{got}",
    "{what}: expected a real number, got {got}": "{what}：应当是一个实数，得到的是{got}",
    "{what}: expected a number, got {got}": "{what}：应当是一个数，得到的是{got}",
    "{what}: it contains itself, so it cannot be compared": "{what}：它包含它自己，无法比较",
    "{what}: expected True or False, got {got}": "{what}：应当是 True 或 False，得到的是{got}",
    "{what}: {got} is not right": "{what}：{got} 不对",
    "{what}: {got} is not the expected count (a whole number)": "{what}：{got} 不是预期的个数（个数是整数）",
    "{what}: {got} is not the expected count": "{what}：{got} 不是预期的个数",
    "{what}: {got} is not close enough to the expected value": "{what}：{got} 与预期的值相差太大",
    "{what}: expected a string, got {got}": "{what}：应当是一个字符串，得到的是{got}",
    " (names and keys are case-sensitive)": "（名称和键区分大小写）",
    "{what}: {got} is not the expected text": "{what}：{got} 不是预期的文本",
    "{what}: expected a dict, got {got}": "{what}：应当是一个字典，得到的是{got}",
    "{what}: {missing} expected key(s) missing, {extra} unexpected": "{what}：缺少 {missing} 个应有的键，多出 {extra} 个",
    "{what}: expected a set, got {got}": "{what}：应当是一个集合，得到的是{got}",
    "{what}: its elements must be hashable, like strings or numbers": "{what}：元素必须可哈希，比如字符串或数",
    "{what}: {extra} element(s) should not be there and {missing} are missing":
        "{what}：有 {extra} 个元素不该出现，缺少 {missing} 个",
    "{what}: expected a {kind} of length {length}, got {got}": "{what}：应当是长度为 {length} 的 {kind}，得到的是{got}",
    "{what}: expected length {length}, got {got}": "{what}：长度应当是 {length}，得到的是 {got}",
    "{what}: expected None, got {got}": "{what}：应当是 None，得到的是{got}",
    " (torch.from_numpy converts a NumPy array)": "（torch.from_numpy 可以把 NumPy 数组转换为张量）",
    "{what}: expected a torch tensor of shape {shape}, got {got}": "{what}：应当是形状为 {shape} 的 torch 张量，得到的是{got}",
    "{what}: expected shape {shape}, got {got}": "{what}：形状应当是 {shape}，得到的是 {got}",
    "{what}: expected real values, got {got}": "{what}：应当是实数值，得到的是{got}",
    "{what}: expected dtype {dtype}, got {got}": "{what}：dtype 应当是 {dtype}，得到的是 {got}",
    "{what}: expected a float tensor, got dtype {got}": "{what}：应当是浮点张量，得到的 dtype 是 {got}",
    "{what}: {off} of {count} values are off": "{what}：{count} 个值中有 {off} 个不对",
    "{what}'s {name}": "{what}的 {name}",
    "the gradient of {what}'s {name}": "{what}的 {name} 的梯度",
    "the input's parameters or buffers were replaced": "输入的参数或缓冲区被替换了",
    "{label} was changed": "{label}被改变了",
    "{label} was modified in place": "{label}被原地修改了",
    "{label} changed its requires_grad flag": "{label}的 requires_grad 标志被改变了",

    # helpers/exercises/__init__.py: verdicts, hints, solutions
    "value": "填值题",
    "function": "函数题",
    "code": "代码题",
    "thought": "思考题",
    "Question {number} ({kind}).": "第 {number} 题（{kind}）。",
    "{heading} {prompt}": "{heading}{prompt}",
    "Correct.": "正确。",
    "Not yet: {problem}. Try again, or call {label}.hint() for a hint.":
        "还不对：{problem}。再试一次，或者调用 {label}.hint() 查看提示。",
    "Not attempted yet: replace the ... with your answer for `{name}`, then run the cell again.":
        "尚未作答：把 ... 换成你给 `{name}` 的答案，然后再运行这个单元格。",
    "your answer was still running after {seconds:g} seconds, so it was stopped":
        "你的答案运行了 {seconds:g} 秒还没有结束，所以被停止了",
    "your answer called exit(), which would stop the notebook": "你的答案调用了 exit()，这会让笔记本停止运行",
    "running your answer raised {error}": "运行你的答案时抛出了 {error}",
    "Hint: {hint}": "提示：{hint}",
    "Solution:": "答案：",
    "Model answer:": "参考答案：",
    "The worked solutions of this copy are with your teacher.": "这份副本的参考答案在你的老师那里。",
    "expected a function (written with def), got {got}": "应当是一个（用 def 写的）函数，得到的是{got}",
    "your function raised {error} when called with ({shown})": "用 ({shown}) 调用你的函数时，它抛出了 {error}",
    "called with ({shown}), {mutated}; the question asks you not to change it":
        "用 ({shown}) 调用时，{mutated}；题目要求不要修改它",
    "for the input ({shown}): {problem}": "对于输入 ({shown})：{problem}",
    "Thought question: nothing to check automatically. Compare your answer with {label}.solution().":
        "思考题：没有可以自动检查的内容。请把你的答案与 {label}.solution() 对照。",
    "Exercises for {chapter}: {listing}": "{chapter} 的练习：{listing}",

    # control names that are code names, and so their own translation
    "f": "f", "x": "x", "h": "h", "lr": "lr", "λ": "λ", "n_train": "n_train",

    # helpers/widgets.py: the widget frame and what Panel.set() accepts
    "{title} (interactive: run the notebook to use the controls)": "{title}（交互式：运行笔记本后即可使用控件）",
    "{name} is not a control of this panel; its controls are {controls}": "{name} 不是这个面板的控件；它的控件是 {controls}",
    "{name} must be {takes}, got {value!r}": "{name} 必须是{takes}，得到的是 {value!r}",
    "one of {options}": " {options} 之一",
    "a list of values from {options}": "由 {options} 中的值组成的列表",
    "True or False": " True 或 False",
    "a whole number from {low:g} to {high:g}": " {low:g} 到 {high:g} 之间的整数",
    "a number from {low:g} to {high:g}": " {low:g} 到 {high:g} 之间的数",

    # chapter autograd: helpers/exercises/autograd.py and helpers/autograd.py
    'expected a function freeze_middle(net) written with def, got {got}':
        '应当是一个用 def 写成的函数 freeze_middle(net)，得到的却是 {got}',
    'freeze_middle should change net in place and return net or nothing, but it returned {got}':
        'freeze_middle 应当原地修改 net，并返回 net 或不返回任何值，但它返回了 {got}',
    'freeze_middle should not add, remove or rename parameters, only freeze some':
        'freeze_middle 不应添加、删除或重命名参数，只应冻结其中一些',
    '{name} still requires a gradient': '{name} 仍然需要梯度',
    '{first} and {second} still require a gradient': '{first} 和 {second} 仍然需要梯度',
    'only net[2] should be frozen, but {names} are frozen too': '只应冻结 net[2]，但 {names} 也被冻结了',
    'freezing must keep the values, but {names} changed': '冻结必须保持参数的值不变，但 {names} 的值变了',
    'after a backward pass {names} have no gradient, so they would not train': '反向传播之后，{names} 没有梯度，因此它们不会被训练',
    'MLP 1-16-1 with tanh, seed 3': 'MLP 1-16-1，tanh 激活，随机种子 3',
    'tangent, slope by autograd': '切线，斜率由 autograd 给出',
    'secant through $x \\pm h$': '经过 x ± h 两点的割线',
    'Tangent and central difference': '切线与中心差分',
    "{function} at x = {x:.2f}: f(x) = {value:.4f}, autograd f'(x) = {slope:.6f}, central difference (h = {h:.0e}) = {estimate:.6f}":
        "{function} 在 x = {x:.2f} 处：f(x) = {value:.4f}，autograd 给出的 f'(x) = {slope:.6f}，中心差分（h = {h:.0e}）= {estimate:.6f}",

    # chapter optimizers: helpers/exercises/optimizers.py and helpers/optimizers.py
    'expected a torch.optim.SGD, got an object of type {type}': '应当是一个 torch.optim.SGD，得到的是一个 {type} 类型的对象',
    'expected 2 parameter groups, got {count}': '应当有 2 个参数组，得到的是 {count} 个',
    'no group holds exactly {whose} weight and bias (shapes {shapes}); the groups hold shapes {groups}':
        '没有哪个组恰好包含{whose}权重和偏置（形状为 {shapes}）；各组包含的形状是 {groups}',
    'the group of {whose} parameters has lr {lr}': '{whose}参数所在的组的 lr 是 {lr}',
    'the group of {whose} parameters has momentum {momentum}': '{whose}参数所在的组的 momentum 是 {momentum}',
    "the first layer's": '第一层的',
    "the last layer's": '最后一层的',
    'expected a torch.optim.AdamW, got an object of type {type}': '应当是一个 torch.optim.AdamW，得到的是一个 {type} 类型的对象',
    'this Adam adds weight_decay to the gradient, as an L2 penalty; AdamW decays the weights directly':
        '这个 Adam 把 weight_decay 作为 L2 惩罚加到梯度上；AdamW 则直接衰减权重',
    'a {kind} of shape {shape} sits in group {index}, whose weight_decay is {weight_decay}':
        '一个形状为 {shape} 的{kind}位于 param_groups[{index}]，而该组的 weight_decay 是 {weight_decay}',
    'weight matrix': '权重矩阵',
    'bias': '偏置',
    "group {index} has lr {lr}, not AdamW's default": 'param_groups[{index}] 的 lr 是 {lr}，不是 AdamW 的默认值',
    'the optimizer holds parameters of shapes {shapes}, not the 6 of the MLP': '优化器中参数的形状是 {shapes}，不是这个 MLP 的 6 个参数',
    'quadratic  $0.1x^2 + 2y^2$': '二次函数  0.1x² + 2y²',
    'Rosenbrock  $(1 - x)^2 + 100\\,(y - x^2)^2$': 'Rosenbrock 函数  (1 − x)² + 100 (y − x²)²',
    'start': '起点',
    'minimum': '最小值',
    '{name} diverged at step {step}': '{name} 在第 {step} 步发散',
    '{surface}, lr {lr:.3g}, {steps} steps: ': '{surface}，lr {lr:.3g}，{steps} 步：',
    'no optimizer chosen': '没有选择优化器',
    'surface': '曲面',
    'optimizers': '优化器',
    'steps': '步数',
    'Optimizer trajectories on a 2-D loss surface': '优化器在二维损失曲面上的轨迹',

    # chapter weight_decay: helpers/exercises/weight_decay.py and helpers/weight_decay.py
    'this fit would take over {max_steps:.0e} steps or {budget:.0e} multiply-adds: use less data':
        '这次拟合将超过 {max_steps:.0e} 步或 {budget:.0e} 次乘加运算：请减少数据',
    'epoch': '迭代周期',
    'loss': '损失',
    '|weight| (dotted: true 0.01)': '|权重|（点线：真实值 0.01）',
    'count': '个数',
    'size of the learned weights': '学到的权重的大小',
    'train': '训练',
    'test': '测试',
    'test, λ = 0': '测试，λ = 0',
    'λ = {lambd:.3g}, {epochs} epochs, n_train = {n_train}, start {start}: train {train:.4f}, test {test:.4f} (λ = 0: {reference:.4g}), ‖w‖ = {norm:.3f}, {small}/{total} weights < 0.01':
        'λ = {lambd:.3g}，{epochs} 个迭代周期，n_train = {n_train}，初始 w 为 {start}：训练损失 {train:.4f}，测试损失 {test:.4f}（λ = 0：{reference:.4g}），‖w‖ = {norm:.3f}，{small}/{total} 个权重 < 0.01',
    'data must hold at least 200 training examples, got {n}': 'data 至少要有 200 个训练样本，实际只有 {n} 个',
    'epochs': '迭代周期',
    'start w': '初始 w',
    "Weight decay on d2l's regression": 'd2l 回归问题上的权重衰减',

    # chapter parameter_access: helpers/exercises/parameter_access.py and helpers/parameter_access.py
    'expected a function bias_total(net) written with def': '应当是一个用 def 写的函数 bias_total(net)',
    'for {label}, bias_total(net) changed {name}: it should only read the parameters':
        '对于{label}，bias_total(net) 修改了 {name}：它只应读取参数',
    'for {label}, bias_total(net)': '对于{label}，bias_total(net)',
    "d2l's MLP": '《动手学深度学习》中的多层感知机',
    'a net of nested blocks': '由嵌套块组成的网络',
    'a net with a bias-free layer and a BatchNorm': '含一个无偏置层和一个 BatchNorm 层的网络',
    'Parameter explorer': '参数浏览器',
    'parameter': '参数',
    'no values: {name} {reason}': '没有数值：{name} {reason}',
    'value   {note}': '数值   {note}',
    '; it {note}': '；它{note}',
    "name must be one of the model's parameter names {names}, got {name!r}":
        'name 必须是模型的参数名 {names} 之一，得到的是 {name!r}',
    'model must have parameters to explore, got a {kind} with none': 'model 必须有可以查看的参数，得到的 {kind} 却一个参数也没有',
    '{n} {label}': '{n} 个 {label}',
    '{parts} not drawn': '{parts} 未画出',
    ', ': '、',
    'no entries': '没有元素',
    'is not initialized yet (a lazy layer): run one forward pass, e.g. model(X), first':
        '尚未初始化（这是延后初始化的层）：请先运行一次前向传播，例如 model(X)',
    "lives on the meta device: it has a shape but no values (model.to_empty(device='cpu') allocates them)":
        "位于 meta 设备上：有形状，但没有数值（model.to_empty(device='cpu') 会为它分配数值）",
    'bins must be an int between 1 and 1000, got {bins!r}': 'bins 必须是 1 到 1000 之间的整数，得到的是 {bins!r}',
    'cannot draw {name}: it {reason}': '无法绘制 {name}：它{reason}',

    # chapter tied_parameters: helpers/exercises/tied_parameters.py and helpers/tied_parameters.py
    'expected a function tie_layers(net, i, j) written with def': '应当是一个用 def 定义的函数 tie_layers(net, i, j)',
    'after {call}, net is unchanged and no net was returned: tie the layers of the net it is given, or return the new net':
        '调用 {call} 之后，net 没有变化，也没有返回网络：请绑定传入的网络中的层，或者返回新的网络',
    'after {call}, net[{j}] is no longer a layer with a weight': '调用 {call} 之后，net[{j}] 不再是一个带权重的层',
    'after {call}, net[{j}].weight has the values of net[{i}].weight but is a different Parameter, so the two would still get separate gradients: equal values are not a tie':
        '调用 {call} 之后，net[{j}].weight 的值与 net[{i}].weight 相同，但它是另一个 Parameter，所以两者仍会各自得到梯度：数值相等不等于绑定',
    'after {call}, net[{j}].weight is not net[{i}].weight': '调用 {call} 之后，net[{j}].weight 不是 net[{i}].weight',
    'after {call}, the weights are shared but net[{j}].bias is not net[{i}].bias':
        '调用 {call} 之后，权重是共享的，但 net[{j}].bias 不是 net[{i}].bias',
    "after {call}, both layers hold net[{j}]'s old weight: net[{j}] should take net[{i}]'s parameters, not the other way round":
        '调用 {call} 之后，两个层持有的都是 net[{j}] 原来的权重：应当让 net[{j}] 使用 net[{i}] 的参数，而不是反过来',
    'after {call}, the values of net[{i}] changed: net[{i}] should keep its parameters':
        '调用 {call} 之后，net[{i}] 的值变了：net[{i}] 应当保持它的参数',
    'after {call}, the net has {total} parameter entries, expected {n_params}':
        '调用 {call} 之后，网络有 {total} 个参数元素，应当是 {n_params} 个',
    'after {call}, net[{i}].weight.grad is not the sum of the gradients of its two uses':
        '调用 {call} 之后，net[{i}].weight.grad 不是它两次使用的梯度之和',
    'Tied or untied: the weight gradient of one layer': '绑定与否：一个层的权重梯度',
    'tie net[2] and net[4]': '绑定 net[2] 和 net[4]',
    'layer': '层',
    'use at net[{position}]': 'net[{position}] 处的使用',
    'net[{position}]: its own layer, not added': 'net[{position}]：独立的层，不相加',
    'tied': '绑定',
    'untied': '未绑定',
    '{state}: net[2] is net[4] -> {same}; {count} parameters; net[{layer}].weight.grad = {terms}; weight {rows} x {cols}; colours from blue -{limit:.4f} to red +{limit:.4f}':
        '{state}：net[2] is net[4] -> {same}；{count} 个参数；net[{layer}].weight.grad = {terms}；权重 {rows} x {cols}；颜色从蓝色 -{limit:.4f} 到红色 +{limit:.4f}',

    # chapter initialization: helpers/exercises/initialization.py and helpers/initialization.py
    'net.apply(my_init) raised {error_type}: {error} (apply also calls it on the ReLU and on the Sequential itself)':
        'net.apply(my_init) 抛出了 {error_type}: {error}（apply 还会对 ReLU 和 Sequential 本身调用它）',
    'net[{index}].weight is a new tensor: change the existing parameter in place, or an optimizer built before would go on training the old one':
        'net[{index}].weight 是一个新的张量：请原地修改已有的参数，否则之前创建的优化器会继续训练旧的参数',
    'the biases of net[{index}] are not all 0': 'net[{index}] 的偏置不全为 0',
    'in net[{index}], {zero:.1%} of the weights are exactly 0; expected 75%':
        '在 net[{index}] 中，{zero:.1%} 的权重恰好为 0；应为 75%',
    'in net[{index}], {fraction:.1%} of the weights are {side}; expected 12.5%':
        '在 net[{index}] 中，{fraction:.1%} 的权重为{side}值；应为 12.5%',
    'the {side} weights of net[{index}] do not follow U({low}, {high}): their distribution function is {gap:.2f} away from it at worst':
        'net[{index}] 的{side}权重不服从 U({low}, {high})：它们的分布函数与该分布最多相差 {gap:.2f}',
    'positive': '正',
    'negative': '负',
    'depth x width x (width + 2 x batch) = {needed} numbers is over the budget':
        'depth x width x (width + 2 x batch) = {needed} 个数，超出了预算',
    'activations': '激活值',
    'gradients': '梯度',
    'standard deviation': '标准差',
    'at layer {depth}': '第 {depth} 层',
    '{scheme}, {activation}: activation std {act_first:.2e} at layer 1, {act_last:.2e} {top}; gradient std {grad_last:.2e} {top}, {grad_first:.2e} at layer 1':
        '{scheme}，{activation}：激活值的标准差在第 1 层为 {act_first:.2e}，在{top}为 {act_last:.2e}；梯度的标准差在{top}为 {grad_last:.2e}，在第 1 层为 {grad_first:.2e}',
    'depth': '深度',
    'width': '宽度',
    'activation': '激活函数',
    'scheme': '初始化方案',
    'Activation and gradient scale, layer by layer': '逐层的激活值与梯度尺度',
}
